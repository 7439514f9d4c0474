CREATE TABLE `sync_state` (
	`account_id` integer PRIMARY KEY NOT NULL,
	`backfill_from` text,
	`synced_through` text,
	`restatement_days` integer,
	`last_success_at` text,
	`last_error` text,
	`next_sync_at` text,
	FOREIGN KEY (`account_id`) REFERENCES `ad_accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
