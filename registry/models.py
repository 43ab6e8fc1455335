"""Listings, published lists, rechecks, removals, the national list and notices (issues #5, #6)."""
