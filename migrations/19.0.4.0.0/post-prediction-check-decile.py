def migrate(cr, version):
    """The decile lines of the prediction checks kept their label ("Decile 01", in the language of
    whoever ran the check) as their only trace of the decile: it becomes a number of its own, the
    label being made on read. The line's sequence was the decile already."""
    cr.execute("UPDATE customer_prediction_check_line SET decile = sequence WHERE kind = 'decile'")
