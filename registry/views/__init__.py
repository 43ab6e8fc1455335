"""The registry's screens, one module per audience: public, city, district, and the pages staff of both share."""
