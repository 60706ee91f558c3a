"""Where a document enters: loaders (one per format), 公文 metadata rules and sidecars,
structure-aware chunking, corpus scanning, the incremental sync, status and file admin.

Services over the ``index`` and ``embed`` adapters; they know nothing of questions.
"""
