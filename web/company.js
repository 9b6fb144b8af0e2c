// A company's administrator at work: its people and invitations (invite, send again, revoke,
// change a role, remove access, end a person's sessions or remove a lost second factor: N5,
// C1, C4, T3, W3, M6, M8), who must have a second factor (M5), its lines (T4) and its audit
// trail (X8).
import {
  append, button, call, field, form, h, notice, offers, phoneField, problemBox, roleName, select, show, showHome, state, t,
  when, withPrefix,
} from "./core.js";

const myRole = (membership) => state.config.roles.find((r) => r.id === membership.role);
const grantable = (membership) => myRole(membership)?.grants ?? [];
const base = (membership) => `/companies/${encodeURIComponent(membership.company_id)}`;

/** A page of a list: the items, and "more" while there is a next page. */
async function paged(path, render, key) {
  const list = h("div", {});
  const more = async (cursor) => {
    const answer = await call("GET", cursor ? `${path}?cursor=${encodeURIComponent(cursor)}` : path);
    if (!answer.ok) { list.append(problemBox(answer.problem)); return; }
    append(list, render(answer.data[key], answer.data));
    if (answer.data.next) {
      const next = button(t("more"), () => { next.remove(); more(answer.data.next); });
      list.append(next);
    }
  };
  await more(null);
  return list;
}

export function companyView(membership, message) {
  const container = h("div", {},
    h("h1", { text: membership.company_name }), notice(message),
    h("p", {}, button(t("back_to_account"), () => showHome())));
  (async () => {
    // The people's names, for the trail's "who".
    const names = new Map();
    if (grantable(membership).length) append(container, await people(membership, names), await lines(membership));
    if (myRole(membership)?.reads_audit) append(container, await trail(membership, names));
  })();
  return container;
}

const again = (membership, message) => show(() => companyView(membership, message));

/** Runs an action on a person or invitation; shows the company again with its outcome. */
async function act(membership, method, path, body, done) {
  const answer = await call(method, `${base(membership)}${path}`, body);
  again(membership, answer.ok ? done : answer.problem.title);
}

async function people(membership, names) {
  const answer = await call("GET", `${base(membership)}/users`);
  if (!answer.ok) return [problemBox(answer.problem)];
  const { members, invitations } = answer.data;
  for (const m of members) names.set(m.account_id, m.display_name);
  const grants = grantable(membership);
  const memberRow = (m) => h("tr", {},
    h("td", { text: m.display_name }), h("td", { text: m.email }), h("td", { text: roleName(m.role) }),
    h("td", {}, grants.includes(m.role) ? [
      roleChanger(membership, m, grants),
      button(t("remove_access"), () => act(membership, "DELETE", `/users/${m.account_id}`, undefined, t("access_removed", { name: m.display_name })), { "aria-label": t("remove_access_of", { name: m.display_name }) }),
      button(t("end_sessions"), () => act(membership, "DELETE", `/users/${m.account_id}/sessions`, undefined, t("sessions_ended_of", { name: m.display_name })), { "aria-label": t("end_sessions_of", { name: m.display_name }) }),
      button(t("remove_second_factor"), () => act(membership, "DELETE", `/users/${m.account_id}/second-factor`, undefined, t("second_factor_removed_of", { name: m.display_name })), { "aria-label": t("remove_second_factor_of", { name: m.display_name }) }),
    ] : null));
  const invitationRow = (i) => h("tr", {},
    h("td", { text: i.display_name }), h("td", { text: i.email }), h("td", { text: roleName(i.role) }),
    h("td", { text: t(`invitation_state_${i.state}`, { date: i.expires_at ? when(i.expires_at) : "" }) }),
    h("td", {},
      button(t("send_again"), () => act(membership, "POST", `/invitations/${i.invitation_id}/send`, undefined, t("invitation_sent", { email: i.email })), { "aria-label": t("send_again_to", { name: i.display_name }) }),
      button(t("revoke"), () => act(membership, "DELETE", `/invitations/${i.invitation_id}`, undefined, t("invitation_revoked", { email: i.email })), { "aria-label": t("revoke_of", { name: i.display_name }) })));
  return [
    h("h2", { text: t("people_title") }),
    table([t("display_name"), t("email"), t("role"), t("actions")], members.map(memberRow)),
    invitations.length ? [
      h("h2", { text: t("invitations_title") }),
      table([t("display_name"), t("email"), t("role"), t("state"), t("actions")], invitations.map(invitationRow)),
    ] : null,
    inviteForm(membership, grants),
    policyForm(membership, answer.data.second_factor_policy),
  ];
}

/** Who in the company must have a second factor (never less than the portal asks). */
function policyForm(membership, current) {
  return form({
    level: 2,
    title: t("policy_title"),
    intro: t("policy_intro"),
    fields: [select({
      name: "required",
      label: t("policy_label"),
      options: ["optional", "managers", "everyone"].map((p) => [p, t(`policy_${p}`)]),
      value: current,
    })],
    button: t("save"),
    submit: async (values) => {
      const answer = await call("PUT", `${base(membership)}/second-factor-policy`, values);
      if (!answer.ok) return answer.problem;
      again(membership, t("policy_saved"));
    },
  });
}

function table(headings, rows) {
  // Each cell carries its column's name: on a phone the rows stack and show it (style.css).
  for (const row of rows) [...row.children].forEach((cell, i) => { cell.dataset.label = headings[i]; });
  return h("table", {}, h("thead", {}, h("tr", {}, headings.map((text) => h("th", { scope: "col", text })))), h("tbody", {}, rows));
}

function roleChanger(membership, member, grants) {
  const id = `role-${member.account_id}`;
  const chosen = h("select", { id }, grants.map((r) => h("option", { value: r, selected: r === member.role, text: roleName(r) })));
  return h("span", { class: "inline" },
    h("label", { for: id, class: "visually-hidden", text: t("role_of", { name: member.display_name }) }), chosen,
    button(t("change_role"), () => act(membership, "PUT", `/users/${member.account_id}/role`, { role: chosen.value }, t("role_changed", { name: member.display_name })), { "aria-label": t("change_role_of", { name: member.display_name }) }));
}

function inviteForm(membership, grants, line) {
  const mobile = state.config.invitations?.mobile;
  return form({
    level: 2,
    title: line ? t("associate_title", { line: line.number }) : t("invite_title"),
    fields: [
      field({ name: "display_name", label: t("display_name"), autocomplete: "off", value: line?.referent?.name }),
      field({ name: "email", label: t("email"), type: "email", autocomplete: "off", value: line?.referent?.email }),
      select({ name: "role", label: t("role"), options: grants.map((r) => [r, roleName(r)]), value: line?.referent?.role }),
      mobile ? phoneField("mobile", t("invitee_mobile")) : null,
      offers("units") ? field({ name: "unit_contract", label: t("unit_contract"), required: false, autocomplete: "off", hint: t("unit_contract_hint") }) : null,
      line ? null : h("label", { class: "choice" }, h("input", { type: "checkbox", name: "later" }), ` ${t("send_later")}`),
    ],
    button: line ? t("associate") : t("invite"),
    submit: async (values) => {
      const body = {
        display_name: values.display_name, email: values.email, role: values.role,
        send: !line && values.later !== "on",
        ...(values.mobile ? { mobile: withPrefix(values.mobile) } : {}),
        ...(values.unit_contract?.trim() ? { unit_contract: values.unit_contract.trim() } : {}),
        ...(line ? { line: line.number } : {}),
      };
      const answer = await call("POST", `${base(membership)}/invitations`, body);
      if (!answer.ok) return answer.problem;
      again(membership, t(body.send ? "invitation_sent" : "invitation_saved", { email: body.email }));
    },
  });
}

/** T4: the company's lines; each associated with an employee, then registered (sent). */
async function lines(membership) {
  const answer = await call("GET", `${base(membership)}/lines`);
  if (!answer.ok || !answer.data.lines.length) return null;
  const grants = grantable(membership);
  return [
    h("h2", { text: t("lines_title") }),
    table([t("line"), t("state"), t("email"), t("actions")], answer.data.lines.map((line) => h("tr", {},
      h("td", { text: line.number }), h("td", { text: t(`line_state_${line.state}`) }), h("td", { text: line.email ?? "" }),
      h("td", {},
        line.state === "to_register"
          ? button(t("associate"), () => show(() => [inviteForm(membership, grants, line), h("p", {}, button(t("back"), () => again(membership)))]), { "aria-label": t("associate_line", { line: line.number }) })
          : null,
        ["associated", "expired"].includes(line.state) && line.invitation_id
          ? button(t("register_line"), () => act(membership, "POST", `/invitations/${line.invitation_id}/send`, undefined, t("invitation_sent", { email: line.email })), { "aria-label": t("register_line_of", { line: line.number }) })
          : null)))),
  ];
}

/** X8: the company's audit trail, newest first: when, who, what, and how it ended. */
async function trail(membership, names) {
  const known = (key, fallback) => { const text = t(key); return text === key ? fallback : text; };
  const list = await paged(`${base(membership)}/audit-events`, (events) => [
    table([t("when"), t("who"), t("event"), t("outcome")], events.map((e) => h("tr", {},
      h("td", { text: when(e.at) }),
      h("td", { text: e.actor ? names.get(e.actor) ?? t("someone_else") : t(e.source === "api" ? "anonymous" : "system") }),
      h("td", { text: known(`event_${e.action}`, e.action) }),
      h("td", { text: e.outcome === "ok" ? t("outcome_ok") : e.outcome })))),
  ], "events");
  return [h("h2", { text: t("audit_title") }), list];
}
