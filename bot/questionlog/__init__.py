"""The question log: storage, the curators' review, clustering, export and the report."""
