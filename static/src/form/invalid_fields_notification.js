import { _t } from "@web/core/l10n/translation";
import { Record } from "@web/model/relational_model/record";
import { patch } from "@web/core/utils/patch";

/**
 * Odoo says only "Missing required fields" when a form of ours cannot be saved; the user then
 * hunts for the field. On the addon's own models the notification names the fields to fill.
 */
patch(Record.prototype, {
    _displayInvalidFieldNotification() {
        if (!this.resModel.startsWith("customer.")) {
            return super._displayInvalidFieldNotification(...arguments);
        }
        const labels = [...this._invalidFields].map((name) => this.fields[name]?.string || name);
        return this.model.notification.add(_t("Fill in: %s", labels.join(", ")), {
            title: _t("Missing required fields"),
            type: "danger",
        });
    },
});
