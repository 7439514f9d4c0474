CREATE TABLE `changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` integer NOT NULL,
	`external_id` text NOT NULL,
	`action` text NOT NULL,
	`field` text NOT NULL,
	`before_value` text,
	`requested_value` text NOT NULL,
	`platform_before` text,
	`applied_value` text,
	`state` text NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text NOT NULL,
	`actor_label` text NOT NULL,
	`reason` text,
	`metrics` text DEFAULT '{}' NOT NULL,
	`idempotency_key` text NOT NULL,
	`batch_id` text NOT NULL,
	`undo_of` integer,
	`undone_by` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`writes` integer DEFAULT 0 NOT NULL,
	`error` text,
	`warnings` text DEFAULT '[]' NOT NULL,
	`decided_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`applied_at` text,
	`next_attempt_at` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `ad_accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `changes_idempotency_uq` ON `changes` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `changes_state_idx` ON `changes` (`state`,`id`);--> statement-breakpoint
CREATE INDEX `changes_ws_idx` ON `changes` (`workspace_id`,`id`);--> statement-breakpoint
CREATE INDEX `changes_batch_idx` ON `changes` (`batch_id`);--> statement-breakpoint
CREATE INDEX `changes_entity_idx` ON `changes` (`entity_type`,`entity_id`);