import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

import { Component, useState } from "@odoo/owl";

/**
 * The browser's position, asked with the user's permission. Never fails: a refused permission
 * or a position that cannot be read is returned as such, and recorded so on the visit.
 */
export function getBrowserPosition() {
    return new Promise((resolve) => {
        if (!navigator.geolocation) {
            resolve({ location_state: "unavailable" });
            return;
        }
        navigator.geolocation.getCurrentPosition(
            (position) =>
                resolve({
                    location_state: "located",
                    latitude: position.coords.latitude,
                    longitude: position.coords.longitude,
                }),
            (error) =>
                resolve({
                    location_state:
                        error.code === error.PERMISSION_DENIED ? "refused" : "unavailable",
                }),
            { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 }
        );
    });
}

/** "Check In" / "Check Out" button of a visit: records the time and where the browser is. */
export class CustomerVisitCheckin extends Component {
    static template = "customer_relationship.CustomerVisitCheckin";
    static props = {
        ...standardWidgetProps,
        method: String,
        string: String,
        highlight: { type: Boolean, optional: true },
    };

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.state = useState({ busy: false });
    }

    async onClick() {
        const record = this.props.record;
        this.state.busy = true;
        try {
            if (!(await record.save())) {
                return;
            }
            const position = await getBrowserPosition();
            await this.orm.call(record.resModel, this.props.method, [[record.resId]], position);
            if (position.location_state !== "located") {
                this.notification.add(
                    _t("Your location could not be read: the time is recorded without it."),
                    { type: "warning" }
                );
            }
            await record.load();
        } finally {
            this.state.busy = false;
        }
    }
}

registry.category("view_widgets").add("customer_visit_checkin", {
    component: CustomerVisitCheckin,
    extractProps: ({ attrs }) => ({
        method: attrs.method,
        string: attrs.string,
        highlight: Boolean(attrs.highlight),
    }),
});
