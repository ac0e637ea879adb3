# METADATA
# title: Shared helpers of the ahds-guard catalog
# description: |
#   Three-valued logic for facts a plan may not know yet (true, false, and null for
#   undetermined), network-access predicates shared by the outbound rules, and the
#   wording that names services, features and targets in messages (the nouns themselves
#   are data: `policies/ahds/wording/data.json`, loaded as `data.ahds.wording`).
# scope: package
package ahds.lib

# The nouns messages use are a data document, not rules (why: docs/writing-rules.md).
import data.ahds.wording

# --- Three-valued logic -----------------------------------------------------------------
# A fact is true, false, or null when the input does not know it yet. Rules report a
# violation when their condition is true and an undetermined check when it is null.

# The helpers are single functions with `else` chains rather than one definition per
# case: an engine stops at the first branch that holds instead of trying every definition,
# and the rules call these for every outbound link. No `else` branch iterates (see
# connection_verdict).

# tri_eq is null when value is unknown, otherwise whether it equals want.
tri_eq(value, want) := null if {
	value == null
} else := true if {
	value == want
} else := false

# tri_not negates a three-valued fact.
tri_not(a) := null if {
	a == null
} else := false if {
	a == true
} else := true if {
	a == false
}

# tri_and: false wins over unknown, unknown wins over true.
tri_and(a, b) := false if {
	a == false
} else := false if {
	b == false
} else := null if {
	a == null
} else := null if {
	b == null
} else := true if {
	a == true
	b == true
}

# tri_or: true wins over unknown, unknown wins over false.
tri_or(a, b) := tri_not(tri_and(tri_not(a), tri_not(b)))

# all_of folds tri_and over an array of facts.
all_of(facts) := false if {
	false in facts
} else := null if {
	null in facts
} else := true

# any_of folds tri_or over an array of facts.
any_of(facts) := true if {
	true in facts
} else := null if {
	null in facts
} else := false

# --- Network access ---------------------------------------------------------------------

# The three predicates below are tri_and(tri_eq(public access, "Enabled"), tri_eq(default
# action, X)) and its negation, written out case by case for speed (docs/writing-rules.md);
# ahds_test.rego checks them against the tri_and form on every combination.

# accepts_all_networks: public access enabled and a firewall that admits everything.
accepts_all_networks(net) := false if {
	net.public_network_access != null
	net.public_network_access != "Enabled"
} else := false if {
	net.default_action != null
	net.default_action != "Allow"
} else := null if {
	net.public_network_access == null
} else := null if {
	net.default_action == null
} else := true if {
	net.public_network_access == "Enabled"
	net.default_action == "Allow"
}

# restricted: the target does not accept traffic from all networks.
restricted(net) := true if {
	net.public_network_access != null
	net.public_network_access != "Enabled"
} else := true if {
	net.default_action != null
	net.default_action != "Allow"
} else := null if {
	net.public_network_access == null
} else := null if {
	net.default_action == null
} else := false if {
	net.public_network_access == "Enabled"
	net.default_action == "Allow"
}

# ip_rules_in_effect: the IP firewall decides (public access on, default action Deny).
ip_rules_in_effect(net) := false if {
	net.public_network_access != null
	net.public_network_access != "Enabled"
} else := false if {
	net.default_action != null
	net.default_action != "Deny"
} else := null if {
	net.public_network_access == null
} else := null if {
	net.default_action == null
} else := true if {
	net.public_network_access == "Enabled"
	net.default_action == "Deny"
}

# unknown_fields lists which of the named fields of obj are unknown.
unknown_fields(obj, names) := [n | some n in names; obj[n] == null]

# --- Private link -----------------------------------------------------------------------

# approved_private_link: whether the workspace has an approved private endpoint connection.
approved_private_link(ws) := connection_verdict({c.status | some c in ws.facts.connections}) if {
	object.get(ws, "settings_listed", true) == true
} else := connection_verdict({c.status | some c in ws.facts.connections} | {null})

# A workspace listed without its settings may have connections the input does not show:
# they count as one of unknown state.

# connection_verdict decides on the set of connection states. The `else` branches test
# membership instead of iterating (an engine difference: docs/writing-rules.md).
connection_verdict(states) := true if {
	"Approved" in states
} else := null if {
	null in states
} else := false

# --- Links and targets ------------------------------------------------------------------

# A resolved link carries its target's entry as `link.target` (the same object as
# `input[link.target_type][link.target_id]`), so a rule reads the target's settings without
# a keyed lookup per link. The bundled rules test `link.status` and read `link.target`
# inline, for speed (docs/writing-rules.md); the helpers below are for custom rules.

# target is the resolved target record of an outbound link.
target(link) := link.target if link.status == "resolved"

# resolved holds for an outbound link whose target is in the input. Iterate `input.links`
# with it rather than a set of links (docs/writing-rules.md).
resolved(link) if link.status == "resolved"

# unresolved holds for an outbound link whose target is missing or unknown.
unresolved(link) if link.status != "resolved"

# --- IP ranges --------------------------------------------------------------------------
# The analysis states each IP rule of a target as a range (`t.facts.ip_ranges`: the rule as
# written, its canonical `cidr`, `family` and `prefix_len`; null while the rules are
# unknown). What counts as broad, and which ranges are the documented AHDS allowances, is
# decided here and nowhere else.

# cgnat_range is the shared range the FHIR service reaches storage in its own region from.
cgnat_range := "100.64.0.0/10"

# broad_prefix: a range with a shorter prefix than this, per family, is overly broad.
broad_prefix := {"ipv4": 16, "ipv6": 32}

# broad_ip_rules lists the target's IP rules (as written) broader than broad_prefix, other
# than the CGNAT allowance, which AHDS-TS-004 judges; null while the rules are unknown.
broad_ip_rules(t) := null if t.facts.ip_ranges == null

broad_ip_rules(t) := [r.rule |
	some r in t.facts.ip_ranges
	r.prefix_len < broad_prefix[r.family]
	r.cidr != cgnat_range
] if {
	t.facts.ip_ranges != null
}

# admitting_rules is the set of rules (as written) whose range holds the address or range.
admitting_rules(ranges, address) := {r.rule |
	some r in ranges
	net.cidr_contains(r.cidr, address)
}

# ip_allowance: the storage firewall admits the FHIR service through the documented IP
# allowance: cgnat_range from the same region, or the service region's egress address
# (`data.ahds.fhir_egress`) from another region.
# It is tri_or(tri_and(same_region, cgnat_admitted), tri_and(tri_not(same_region),
# egress_admitted)); a known region decides which half counts, so only that half is
# evaluated. Without t.facts.ip_ranges or link.facts.service_region a half can be undefined,
# and with it the whole definition, so the shortcut is taken only when both are there, null
# included (ahds_test.rego checks the two forms agree, undefined where the other is too).
ip_allowance(link, t) := false if {
	not link.feature in wording.fhir_storage_features
} else := cgnat_admitted(t) if {
	link.facts.same_region == true
	t.facts.ip_ranges
	link.facts.service_region
} else := egress_admitted(link, t) if {
	link.facts.same_region == false
	t.facts.ip_ranges
	link.facts.service_region
} else := tri_or(
	tri_and(link.facts.same_region, cgnat_admitted(t)),
	tri_and(tri_not(link.facts.same_region), egress_admitted(link, t)),
)

# cgnat_admitted: an IP rule admits all of cgnat_range.
cgnat_admitted(t) := null if {
	t.facts.ip_ranges == null
} else := count(admitting_rules(t.facts.ip_ranges, cgnat_range)) > 0

# egress_admitted: an IP rule admits the egress address of the service's region. A region
# without a published address has no allowance to admit.
egress_admitted(link, t) := null if {
	t.facts.ip_ranges == null
} else := null if {
	link.facts.service_region == null
} else := false if {
	not data.ahds.fhir_egress[link.facts.service_region]
} else := count(admitting_rules(t.facts.ip_ranges, data.ahds.fhir_egress[link.facts.service_region])) > 0

# --- Wording ----------------------------------------------------------------------------

# join_and joins words as `a`, `a and b`, `a, b and c`.
join_and(words) := "" if count(words) == 0

join_and(words) := words[0] if count(words) == 1

join_and(words) := concat(" and ", [concat(", ", array.slice(words, 0, count(words) - 1)), words[count(words) - 1]]) if {
	count(words) > 1
}

# The labels are `else` chains, not one definition per case: an engine stops at the first
# branch that holds instead of evaluating every definition to check they agree. Messages
# are built once per finding, and a finding names both ends of its link.

# name is a resource's name, or its id when the name is unknown.
name(r) := r.name if {
	r.name != null
} else := r.resource_id

# collection: the input's collection named kind, for rules that treat several kinds alike.
# Each member is named here rather than read as `input[kind]`: the evaluator builds only the
# members of the input document some rule names, and `input[kind]` names them all.
collection(kind) := input.workspaces if {
	kind == "workspaces"
} else := input.fhir_services if {
	kind == "fhir_services"
} else := input.dicom_services if {
	kind == "dicom_services"
} else := input.medtech_services if {
	kind == "medtech_services"
}

# label: `FHIR service "fhir1"`.
label(kind, r) := sprintf("%s %q", [wording.kind_names[kind], name(r)])

# service_label names the service end of a link.
service_label(link) := sprintf("%s %q", [wording.kind_names[link.service_type], link.service_name]) if {
	link.service_name != null
} else := sprintf("%s %s", [wording.kind_names[link.service_type], link.service_resource_id])

# target_label names the target end of a link, resolved or not.
target_label(link) := sprintf("%s %q", [wording.kind_names[link.target_type], link.target.name]) if {
	link.target.name != null
} else := label(link.target_type, link.target) if {
	link.status == "resolved"
} else := sprintf("%s %q", [wording.kind_names[link.target_type], link.reference.value]) if {
	link.reference.value != null
} else := sprintf("an unknown %s", [wording.kind_names[link.target_type]])

# instance_rule_resource is the resource a storage account's resource-instance rule admits
# for a link (what a fix adds): the link's workspace, which covers every service in it,
# when the input holds it, else the service itself.
instance_rule_resource(link) := input.workspaces[link.workspace_id].resource_id if {
	link.workspace_id != null
	input.workspaces[link.workspace_id]
} else := link.service_resource_id

# link_target_id is the target's id for reports, or the reference when unresolved.
link_target_id(link) := link.target_resource_id if {
	link.target_resource_id != null
} else := link.reference.value if {
	link.reference.value != null
} else := "unknown"

# describe: `FHIR service "fhir1" uses storage account "sa" for export ($export)`. One
# sprintf when both ends have names, as nearly every resolved link does, or when the
# service has a name and an unresolved target is named by its reference (what
# target_label says of it); the labels otherwise.
describe(link) := sprintf("%s %q uses %s %q for %s", [
	wording.kind_names[link.service_type],
	link.service_name,
	wording.kind_names[link.target_type],
	link.target.name,
	wording.feature_names[link.feature],
]) if {
	link.service_name != null
	link.target.name != null
} else := sprintf("%s %q uses %s %q for %s", [
	wording.kind_names[link.service_type],
	link.service_name,
	wording.kind_names[link.target_type],
	link.reference.value,
	wording.feature_names[link.feature],
]) if {
	link.service_name != null
	link.status != "resolved"
	object.get(link, ["target", "name"], null) == null
	link.reference.value != null
} else := sprintf("%s uses %s for %s", [service_label(link), target_label(link), wording.feature_names[link.feature]])

# target_finding is a deny/undetermined entry about a link whose target must change.
target_finding(link, msg, evidence) := {
	"msg": msg,
	"resource_id": link.target_resource_id,
	"feature": link.feature,
	"target_id": link.target_resource_id,
	"evidence": evidence,
}

# service_finding is an entry about a link whose service (or its configuration) must change.
service_finding(link, msg, evidence) := {
	"msg": msg,
	"resource_id": link.service_resource_id,
	"feature": link.feature,
	"target_id": link_target_id(link),
	"evidence": evidence,
}

# unresolved_finding is the undetermined entry a target-dependent rule reports for a link
# whose target is not in the input or not known. Its message is the same for every rule, so
# the entries of one link read as one fact (the text report lists them on one line).
unresolved_finding(link) := {
	"msg": sprintf("%s: the target cannot be checked because %s", [describe(link), unresolved_reason(link)]),
	"resource_id": link.service_resource_id,
	"feature": link.feature,
	"target_id": link_target_id(link),
	"missing": unresolved_missing(link),
}

# Why an unresolved link's target cannot be checked: it is not in the input, or its name
# is fixed only at deployment (it may or may not be a resource of the input), or unknown.
unresolved_reason(link) := "it is not in the input" if {
	link.status == "not_found"
} else := "its name is fixed only at deployment" if {
	count(object.get(link.reference, "symbols", [])) > 0
} else := "its name is not known yet"

# What would decide it: the deployed values of the reference's symbols, else the target.
unresolved_missing(link) := [sprintf("value of {%s}", [s]) | some s in link.reference.symbols] if {
	link.status != "not_found"
	count(object.get(link.reference, "symbols", [])) > 0
} else := [sprintf("%s %s", [wording.kind_names[link.target_type], link_target_id(link)])]
