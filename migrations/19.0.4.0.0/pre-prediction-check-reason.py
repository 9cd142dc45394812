def migrate(cr, version):
    """The prediction check's reason is made on read from 19.0.4, in the reader's language: the
    stored text becomes the fit's reason (why the model was not fitted at the cut). The text of
    a done check was the AUC's, made again from the check's counts."""
    cr.execute("ALTER TABLE customer_prediction_check RENAME COLUMN reason TO fit_reason")
    cr.execute("UPDATE customer_prediction_check SET fit_reason = NULL WHERE state = 'done'")
