"""Google Compute Engine through google-cloud-compute: `adapter` (REST calls),
`records` (Compute JSON → domain), `errors` (API errors → what a user can do)."""
