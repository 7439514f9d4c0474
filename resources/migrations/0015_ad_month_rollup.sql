CREATE TABLE `ad_month` (
	`account_id` integer NOT NULL,
	`month` text NOT NULL,
	`ad_id` integer NOT NULL,
	`ad_set_id` integer NOT NULL,
	`campaign_id` integer NOT NULL,
	`spend_micros` integer DEFAULT 0 NOT NULL,
	`impressions` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`reach` integer DEFAULT 0 NOT NULL,
	`conversions` real DEFAULT 0 NOT NULL,
	`conversion_value_micros` integer DEFAULT 0 NOT NULL,
	`video_views` integer DEFAULT 0 NOT NULL,
	`days` integer DEFAULT 0 NOT NULL,
	`first_date` text NOT NULL,
	`last_date` text NOT NULL,
	PRIMARY KEY(`account_id`, `month`, `ad_id`, `ad_set_id`, `campaign_id`),
	FOREIGN KEY (`account_id`) REFERENCES `ad_accounts`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
