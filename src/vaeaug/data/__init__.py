"""Data: named datasets and your own files (datasets, sources), and the protocols that split them."""
