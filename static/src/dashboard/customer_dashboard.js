import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
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

    async openCustomers(domain, name) {
        const mine = this.state.data.see_all ? [] : [["user_id", "=", user.userId]];
        const action = await this.action.loadAction("customer_relationship.res_partner_customer_action");
        this.action.doAction({ ...action, name, domain: [["parent_id", "=", false], ...domain, ...mine] });
    }

    openDueForContact() {
        this.openCustomers([["visit_overdue", "=", true]], _t("Customers due for contact"));
    }

    openTier(tier) {
        this.openCustomers([["customer_tier_id", "=", tier.id]], tier.name);
    }

    openAction(xmlid, context = {}) {
        // Those who see every customer were counted everyone's records: no "mine" filter then.
        const everyone = this.state.data.see_all
            ? { search_default_my_actions: false, search_default_my_visits: false }
            : {};
        this.action.doAction(xmlid, { additionalContext: { ...context, ...everyone } });
    }
}

registry.category("actions").add("customer_relationship.dashboard", CustomerRelationshipDashboard);
