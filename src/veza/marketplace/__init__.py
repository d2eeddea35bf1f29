"""The marketplace: products, licenses, orders paid exactly once, downloads for buyers. Playback
will ask it whether a download needs a license."""
