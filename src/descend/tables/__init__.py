"""Tables into arrays: CSV files and frames read, cleaned and encoded (:class:`DataContainer`)."""
