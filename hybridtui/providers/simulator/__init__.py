"""The demo clouds: `provider` (the Provider over a simulated world), `world`
(the state a demo cloud keeps and persists), `profiles` (how each cloud kind
behaves), `catalogues` (their flavors, images and networks), `guest` (the image
model steps 6-8 run against), `epoch` (the fixed clock the demo data is dated by)."""
