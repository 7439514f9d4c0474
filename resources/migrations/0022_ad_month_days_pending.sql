CREATE TABLE `ad_month_days_pending` (
	`account_id` integer PRIMARY KEY NOT NULL,
	`month` text,
	`ad_from` integer,
	FOREIGN KEY (`account_id`) REFERENCES `ad_accounts`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
-- Hand-written: every account with day rows but no packed days (a store migrated to 0021 and never
-- packed) is built by the `store:upgrade` job after the start, not while opening the store (7.5 s
-- before the window on the 12.4M-row demo). A store that built them already gets nothing.
INSERT INTO ad_month_days_pending (account_id)
SELECT DISTINCT d.account_id FROM account_daily d
WHERE NOT EXISTS (SELECT 1 FROM ad_month_days m WHERE m.account_id = d.account_id);
