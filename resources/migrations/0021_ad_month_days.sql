-- Hand-written: WITHOUT ROWID. The table starts empty and is filled from the rows when the store is
-- opened (db.ts, rebuildMissingAdMonthDays: an account-month per statement; one statement over every
-- row sorted the whole table in memory, about +0.9 GB at 12.4M rows).
CREATE TABLE `ad_month_days` (
	`account_id` integer NOT NULL,
	`month` text NOT NULL,
	`ad_id` integer NOT NULL,
	`days` text NOT NULL,
	PRIMARY KEY(`account_id`, `month`, `ad_id`),
	FOREIGN KEY (`account_id`) REFERENCES `ad_accounts`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
