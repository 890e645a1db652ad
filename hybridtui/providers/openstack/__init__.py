"""OpenStack through openstacksdk: `adapter` (SDK calls), `records` (Nova,
Neutron and Glance JSON → domain), `errors` (SDK exceptions → what a user can do),
`clouds_yaml` (finding the clouds a `cloud: "*"` entry expands to)."""
