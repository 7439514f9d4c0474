CREATE TABLE `campaign_cum` (
	`account_id` integer NOT NULL,
	`date` text NOT NULL,
	`campaign_id` integer NOT NULL,
	`spend_micros` integer DEFAULT 0 NOT NULL,
	`impressions` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`conversions` real DEFAULT 0 NOT NULL,
	`conversion_value_micros` integer DEFAULT 0 NOT NULL,
	`video_views` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`account_id`, `date`, `campaign_id`),
	FOREIGN KEY (`account_id`) REFERENCES `ad_accounts`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
