def notify_and_close(message):
    """The client action a button returns after its work: a success notification with
    ``message`` (already translated), then the dialog closes."""
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"type": "success", "message": message, "next": {"type": "ir.actions.act_window_close"}},
    }
