"""AWS EC2, one region per pane: `adapter` (boto3 calls), `records` (EC2 JSON →
domain), `errors` (botocore error codes → what a user can do about them)."""
