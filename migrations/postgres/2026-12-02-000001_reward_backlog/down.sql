DROP TABLE reward_backlog;
