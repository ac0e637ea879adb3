# METADATA
# title: Event delivery to a restricted Event Hubs namespace without a managed identity
# description: |
#   Event Grid can pass a restricted Event Hubs namespace as a trusted Microsoft service
#   only when the event subscription delivers with a managed identity. A workspace event
#   subscription that delivers to a namespace with network restrictions but without
#   deliveryWithResourceIdentity loses FHIR and DICOM events.
# related_resources:
#   - ref: https://learn.microsoft.com/azure/event-grid/consume-private-endpoints
#     description: Deliver events to a network-restricted destination with managed identity
#   - ref: https://learn.microsoft.com/azure/event-hubs/event-hubs-service-endpoints
#     description: Allow trusted services access to Azure Event Hubs
# custom:
#   id: AHDS-TS-008
#   name: event-delivery-without-identity
#   severity: high
#   applies_to: [event_subscriptions]
#   remediation: >-
#     Give the workspace's Event Grid system topic a managed identity, deliver the event
#     subscription with it (deliveryWithResourceIdentity), and grant it Azure Event Hubs
#     Data Sender on the event hub.
package ahds.rules.trusted_services.event_delivery_without_identity

import data.ahds.lib

event_link(link) if {
	link.status == "resolved"
	link.feature == "workspace.events"
}

unprotected(link) := lib.tri_and(
	lib.restricted(link.target.network),
	lib.tri_eq(link.facts.delivery_with_identity, false),
)

finding(link, msg) := {
	"msg": msg,
	"resource_id": link.via_resource_id,
	"feature": link.feature,
	"target_id": link.target_resource_id,
}

deny contains v if {
	some link in input.links
	link.feature == "workspace.events" # implied by the next line; tested first for speed
	event_link(link)
	unprotected(link) == true
	target := lib.target_label(link)
	v := object.union(
		finding(link, sprintf("event subscription %s of %s delivers to %s, which restricts network access, without a managed identity", [link.via_resource_id, lib.service_label(link), target])),
		{"fix": {"decision": sprintf("which identity the subscription delivers with: the system topic's own (turn it on) or a user-assigned one, granted Azure Event Hubs Data Sender on %s", [target])}},
	)
}

undetermined contains u if {
	some link in input.links
	link.feature == "workspace.events" # implied by the next line; tested first for speed
	event_link(link)
	unprotected(link) == null
	u := object.union(
		finding(link, sprintf("event subscription %s: cannot tell whether delivery to %s needs a managed identity", [link.via_resource_id, lib.target_label(link)])),
		{"missing": array.concat(
			lib.unknown_fields(link.target.network, ["public_network_access", "default_action"]),
			[f | some f in ["delivery_with_identity"]; link.facts[f] == null],
		)},
	)
}

undetermined contains lib.unresolved_finding(link) if {
	some link in input.links
	link.status != "resolved"
	link.feature == "workspace.events"
}
