CREATE TABLE `account_day_attribution` (
	`account_id` integer NOT NULL,
	`date` text NOT NULL,
	`code` text NOT NULL,
	PRIMARY KEY(`account_id`, `date`),
	FOREIGN KEY (`account_id`) REFERENCES `ad_accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
