import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

export class CustomerRelationshipDashboard extends Component {
    static template = "customer_relationship.Dashboard";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null });
        onWillStart(async () => {
            this.state.data = await this.orm.call("customer.relationship.dashboard", "get_dashboard_data", []);
        });
    }

    formatAmount(value) {
        const { symbol, position } = this.state.data.currency;
        const amount = Math.round(value).toLocaleString();
        return position === "before" ? `${symbol} ${amount}` : `${amount} ${symbol}`;
    }

    /** Opens what a tile counts: the server gives each tile its list, filters and title. */
    openTile(action) {
        this.action.doAction(action);
    }

    openAction(xmlid) {
        this.action.doAction(xmlid);
    }
}

registry.category("actions").add("customer_relationship.dashboard", CustomerRelationshipDashboard);
