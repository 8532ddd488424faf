"""Regional pooling: de-identified extracts from many LAs, one pooled store, the same indicators.

    export   (each LA)          store -> policy -> pseudonyms -> partitioned Parquet + manifest
    import   (the partnership)  extracts -> verified -> staged -> swapped into the pool
    analyse                     pool -> the store's tables as views -> the indicator engine
    publish                     figures -> DfE small-number suppression (primary + secondary)

See docs/pool.md.
"""
