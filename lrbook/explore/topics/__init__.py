"""Ready-made explorers, one module per topic of the book."""
