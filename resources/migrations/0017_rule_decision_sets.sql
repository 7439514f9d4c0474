CREATE TABLE `rule_decision_sets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL,
	`entity_type` text NOT NULL,
	`outcome` text NOT NULL,
	`reason` text,
	`count` integer NOT NULL,
	`entity_ids` blob NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `rule_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rule_decision_sets_run_idx` ON `rule_decision_sets` (`run_id`);--> statement-breakpoint
CREATE INDEX `rule_decision_sets_type_idx` ON `rule_decision_sets` (`entity_type`,`run_id`);--> statement-breakpoint
ALTER TABLE `rule_runs` ADD `inputs` text;