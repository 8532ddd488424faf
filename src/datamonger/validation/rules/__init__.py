"""Rule packs: one folder per return; every module in it with a `RULES` list is discovered."""
