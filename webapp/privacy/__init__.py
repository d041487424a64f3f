"""Personal data: the privacy notice, Download my data, Close my account."""
