"""Small-business billing: invoices and the customers they go to."""
