"""The material on real numbers: explanations, figures, loss surfaces and the data sets."""
