"""HR's participation figures: counts only, never text, with groups of fewer than five never broken out. One
catalogue (`catalogue`) names every figure for the cards, the tables and the CSV."""
