"""The forms at people's edges, one module per capability (`directory`, `importing`, `tokens`)."""
