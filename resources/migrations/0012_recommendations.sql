CREATE TABLE `recommendations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`state` text NOT NULL,
	`title` text NOT NULL,
	`currency` text NOT NULL,
	`impact_micros` integer,
	`impact_lower_micros` integer,
	`impact_upper_micros` integer,
	`confidence` real NOT NULL,
	`priority` real NOT NULL,
	`body` text NOT NULL,
	`snoozed_until` text,
	`batch_id` text,
	`follow_up` text,
	`decided_by` text,
	`decided_at` text,
	`created_at` text NOT NULL,
	`seen_at` text NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recommendations_key_uq` ON `recommendations` (`workspace_id`,`key`);--> statement-breakpoint
CREATE INDEX `recommendations_ws_state_idx` ON `recommendations` (`workspace_id`,`state`);