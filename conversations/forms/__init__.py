"""The forms at conversations' edges, one module per capability, named like the views that use them."""
