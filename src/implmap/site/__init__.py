"""The published evidence map: review folder to Markdown pages and assets, and the MkDocs plugin."""
