"""The explorer: a page in the browser where a learner watches descend learn (``descend explore``)."""
