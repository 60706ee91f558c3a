"""The index: Chroma (vectors, texts, metadata), the BM25 index beside it and its updates, the
embedding cache, the manifest, the pointer to the live collection, and the sync lock.

Adapters over storage; they know nothing of how documents are read or questions answered.
"""
