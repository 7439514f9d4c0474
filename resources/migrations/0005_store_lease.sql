CREATE TABLE `store_lease` (
	`id` integer PRIMARY KEY NOT NULL,
	`token` text NOT NULL,
	`pid` integer NOT NULL,
	`hostname` text NOT NULL,
	`label` text NOT NULL,
	`started_at` text NOT NULL,
	`heartbeat_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `jobs` ADD `owner` text;