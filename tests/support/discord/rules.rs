//! Discord's limits and the project's own conventions, as pure checks over request bodies.
//!
//! Each check returns human-readable problems (empty = fine). The REST layer decides what a
//! problem means: breaking a Discord limit gets the 400 Discord would answer, a broken project
//! convention (e.g. no `allowed_mentions`) is accepted like Discord would but still recorded.
//! Both end up in `FakeDiscord::violations()`.

use serde_json::Value;

fn len(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

fn arr(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn present(body: &Value, key: &str) -> bool {
    body.get(key).is_some_and(|v| !v.is_null())
}

fn too_long(out: &mut Vec<String>, what: &str, v: &Value, max: usize) {
    let n = len(v);
    if n > max {
        out.push(format!("{what} is {n} characters (limit {max})"));
    }
}

/// Limits on a message body (create or edit; for interaction callbacks pass `data`).
pub fn message_limits(body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(content) = body.get("content") {
        too_long(&mut out, "content", content, 2000);
    }
    let embeds = arr(body.get("embeds"));
    if embeds.len() > 10 {
        out.push(format!("{} embeds (limit 10)", embeds.len()));
    }
    let mut total = 0;
    for (i, e) in embeds.iter().enumerate() {
        let at = format!("embeds[{i}]");
        too_long(&mut out, &format!("{at}.title"), &e["title"], 256);
        too_long(
            &mut out,
            &format!("{at}.description"),
            &e["description"],
            4096,
        );
        too_long(
            &mut out,
            &format!("{at}.footer.text"),
            &e["footer"]["text"],
            2048,
        );
        too_long(
            &mut out,
            &format!("{at}.author.name"),
            &e["author"]["name"],
            256,
        );
        total += len(&e["title"]) + len(&e["description"]);
        total += len(&e["footer"]["text"]) + len(&e["author"]["name"]);
        let fields = arr(e.get("fields"));
        if fields.len() > 25 {
            out.push(format!("{at} has {} fields (limit 25)", fields.len()));
        }
        for (j, f) in fields.iter().enumerate() {
            let name = format!("{at}.fields[{j}].name");
            let value = format!("{at}.fields[{j}].value");
            too_long(&mut out, &name, &f["name"], 256);
            too_long(&mut out, &value, &f["value"], 1024);
            if len(&f["name"]) == 0 || len(&f["value"]) == 0 {
                out.push(format!("{at}.fields[{j}] has an empty name or value"));
            }
            total += len(&f["name"]) + len(&f["value"]);
        }
    }
    if total > 6000 {
        out.push(format!("embeds total {total} characters (limit 6000)"));
    }
    if let Some(components) = body.get("components") {
        out.extend(component_limits(components));
    }
    out
}

/// Buttons and selects in action rows.
pub fn component_limits(components: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let rows = arr(Some(components));
    if rows.len() > 5 {
        out.push(format!("{} action rows (limit 5)", rows.len()));
    }
    let mut ids: Vec<&str> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if row["type"] != 1 {
            out.push(format!(
                "components[{i}] is not an action row (type {})",
                row["type"]
            ));
            continue;
        }
        let items = arr(row.get("components"));
        let buttons = items.iter().filter(|c| c["type"] == 2).count();
        let selects = items.len() - buttons;
        if items.is_empty() {
            out.push(format!("components[{i}] is an empty action row"));
        }
        if buttons > 5 {
            out.push(format!("components[{i}] has {buttons} buttons (limit 5)"));
        }
        if selects > 0 && items.len() > 1 {
            out.push(format!(
                "components[{i}]: a select menu must be alone in its row"
            ));
        }
        for (j, c) in items.iter().enumerate() {
            let at = format!("components[{i}].components[{j}]");
            if let Some(id) = c.get("custom_id").and_then(Value::as_str) {
                too_long(&mut out, &format!("{at}.custom_id"), &c["custom_id"], 100);
                if id.is_empty() {
                    out.push(format!("{at}.custom_id is empty"));
                }
                if ids.contains(&id) {
                    out.push(format!(
                        "{at}.custom_id {id:?} is used twice in one message"
                    ));
                }
                ids.push(id);
            } else if c["style"] != 5 && c["style"] != 6 {
                out.push(format!("{at} has no custom_id"));
            }
            too_long(&mut out, &format!("{at}.label"), &c["label"], 80);
            too_long(
                &mut out,
                &format!("{at}.placeholder"),
                &c["placeholder"],
                150,
            );
            let options = arr(c.get("options"));
            if options.len() > 25 {
                out.push(format!("{at} has {} options (limit 25)", options.len()));
            }
        }
    }
    out
}

/// A message that is created must have something in it (Discord error 50006).
pub fn is_empty_message(body: &Value) -> bool {
    let text = body.get("content").and_then(Value::as_str).unwrap_or("");
    text.trim().is_empty()
        && arr(body.get("embeds")).is_empty()
        && arr(body.get("components")).is_empty()
        && arr(body.get("attachments")).is_empty()
        && arr(body.get("sticker_ids")).is_empty()
        && !present(body, "poll")
}

/// Project convention: whatever carries user-visible text says who may be pinged, so text that
/// quotes a user can never ping `@everyone`. Edits that only touch components need nothing.
pub fn lacks_allowed_mentions(body: &Value) -> bool {
    let has_text = present(body, "content") || present(body, "embeds");
    has_text && !present(body, "allowed_mentions")
}

/// A modal (callback type 9 `data`): 1-5 top-level components, each an action row holding one
/// text input (the classic form), a Label (type 18) wrapping exactly one text input in
/// `component`, its label on the Label and not on the input, or a Text Display (type 10) of at
/// most 4,000 characters; at least one input.
pub fn modal_limits(data: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let title = len(&data["title"]);
    if !(1..=45).contains(&title) {
        out.push(format!("modal title is {title} characters (1-45)"));
    }
    let id = len(&data["custom_id"]);
    if !(1..=100).contains(&id) {
        out.push(format!("modal custom_id is {id} characters (1-100)"));
    }
    let rows = arr(data.get("components"));
    if rows.is_empty() || rows.len() > 5 {
        out.push(format!("modal has {} components (1-5)", rows.len()));
    }
    let mut ids: Vec<&str> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let (input, labelled_here) = match row["type"].as_u64() {
            Some(1) => {
                let items = arr(row.get("components"));
                if items.len() != 1 || items[0]["type"] != 4 {
                    out.push(format!(
                        "modal row {i} must be an action row with one text input"
                    ));
                    continue;
                }
                (&items[0], false)
            }
            Some(18) => {
                let at = format!("modal component {i} (label)");
                label_length(&mut out, &at, &row["label"]);
                too_long(
                    &mut out,
                    &format!("{at}: description"),
                    &row["description"],
                    100,
                );
                if row.get("components").is_some() || !row["component"].is_object() {
                    out.push(format!(
                        "{at}: a label holds exactly one child, in `component`"
                    ));
                    continue;
                }
                if row["component"]["type"] != 4 {
                    out.push(format!("{at}: its child must be a text input (type 4)"));
                    continue;
                }
                (&row["component"], true)
            }
            Some(10) => {
                let n = len(&row["content"]);
                if !(1..=4000).contains(&n) {
                    out.push(format!(
                        "modal component {i} (text display): content is {n} characters (1-4000)"
                    ));
                }
                continue;
            }
            other => {
                out.push(format!(
                    "modal component {i} has type {other:?}: a modal holds action rows, labels and text displays"
                ));
                continue;
            }
        };
        let at = format!("modal component {i} text input");
        let cid = input["custom_id"].as_str().unwrap_or("");
        if cid.is_empty() || cid.chars().count() > 100 {
            out.push(format!("{at}: custom_id {cid:?} must be 1-100 characters"));
        }
        if ids.contains(&cid) {
            out.push(format!("{at}: custom_id {cid:?} is used twice"));
        }
        ids.push(cid);
        if labelled_here {
            if present(input, "label") {
                out.push(format!(
                    "{at}: a text input inside a label has no label of its own"
                ));
            }
        } else {
            label_length(&mut out, &at, &input["label"]);
        }
        too_long(
            &mut out,
            &format!("{at}: placeholder"),
            &input["placeholder"],
            100,
        );
        too_long(&mut out, &format!("{at}: value"), &input["value"], 4000);
        for key in ["min_length", "max_length"] {
            if let Some(n) = input.get(key).and_then(Value::as_u64)
                && n > 4000
            {
                out.push(format!("{at}: {key} {n} (limit 4000)"));
            }
        }
        if !matches!(input["style"].as_u64(), Some(1 | 2)) {
            out.push(format!("{at}: style must be 1 (short) or 2 (paragraph)"));
        }
    }
    if !rows.is_empty() && ids.is_empty() {
        out.push("a modal needs at least one input".to_string());
    }
    out
}

/// A modal label (a Label's, or a classic text input's): 1-45 characters.
fn label_length(out: &mut Vec<String>, at: &str, label: &Value) {
    let n = len(label);
    if !(1..=45).contains(&n) {
        out.push(format!("{at}: label is {n} characters (1-45)"));
    }
}

/// Whether a modal uses the components Discord added to modals in 2025 (Label, Text Display).
pub fn modal_has_new_components(data: &Value) -> bool {
    arr(data.get("components"))
        .iter()
        .any(|c| matches!(c["type"].as_u64(), Some(10 | 18)))
}

/// Autocomplete results (callback type 8 `data`).
pub fn autocomplete_limits(data: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let choices = arr(data.get("choices"));
    if choices.len() > 25 {
        out.push(format!("{} autocomplete choices (limit 25)", choices.len()));
    }
    for (i, c) in choices.iter().enumerate() {
        let n = len(&c["name"]);
        if !(1..=100).contains(&n) {
            out.push(format!("choice {i} name is {n} characters (1-100)"));
        }
    }
    out
}

fn is_valid_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=32).contains(&n)
        && name
            .chars()
            .all(|c| c == '-' || c == '_' || c.is_alphanumeric())
        && !name.chars().any(char::is_uppercase)
}

fn option_limits(out: &mut Vec<String>, at: &str, options: &[Value]) {
    if options.len() > 25 {
        out.push(format!("{at} has {} options (limit 25)", options.len()));
    }
    let mut seen_optional = false;
    let mut names: Vec<&str> = Vec::new();
    for o in options {
        let name = o["name"].as_str().unwrap_or("");
        let here = format!("{at} option {name:?}");
        if !is_valid_name(name) {
            out.push(format!(
                "{here}: name must be 1-32 lowercase letters, digits, - or _"
            ));
        }
        if names.contains(&name) {
            out.push(format!("{here}: duplicate option name"));
        }
        names.push(name);
        let d = len(&o["description"]);
        if !(1..=100).contains(&d) {
            out.push(format!("{here}: description is {d} characters (1-100)"));
        }
        let kind = o["type"].as_u64().unwrap_or(0);
        if kind == 1 || kind == 2 {
            option_limits(out, &here, arr(o.get("options")));
            continue;
        }
        // Discord rejects a required option after an optional one.
        let required = o["required"].as_bool().unwrap_or(false);
        if required && seen_optional {
            out.push(format!(
                "{here}: required options must come before optional ones"
            ));
        }
        seen_optional |= !required;
        let choices = arr(o.get("choices"));
        if choices.len() > 25 {
            out.push(format!("{here}: {} choices (limit 25)", choices.len()));
        }
        for c in choices {
            let n = len(&c["name"]);
            if !(1..=100).contains(&n) {
                out.push(format!("{here}: choice name is {n} characters (1-100)"));
            }
        }
        if !choices.is_empty() && o["autocomplete"].as_bool() == Some(true) {
            out.push(format!(
                "{here}: choices and autocomplete are mutually exclusive"
            ));
        }
    }
}

/// One application command as the bot registers it.
pub fn command_limits(cmd: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let name = cmd["name"].as_str().unwrap_or("");
    let kind = cmd["type"].as_u64().unwrap_or(1);
    let at = format!("command {name:?}");
    if kind == 1 {
        if !is_valid_name(name) {
            out.push(format!(
                "{at}: name must be 1-32 lowercase letters, digits, - or _"
            ));
        }
        let d = len(&cmd["description"]);
        if !(1..=100).contains(&d) {
            out.push(format!("{at}: description is {d} characters (1-100)"));
        }
        option_limits(&mut out, &at, arr(cmd.get("options")));
    } else if !(1..=32).contains(&name.chars().count()) {
        out.push(format!("{at}: context-menu name must be 1-32 characters"));
    }
    out
}

/// A whole `PUT .../commands` list.
pub fn command_list_limits(list: &Value) -> Vec<String> {
    let Some(cmds) = list.as_array() else {
        return vec!["command list is not a JSON array".to_string()];
    };
    let mut out: Vec<String> = cmds.iter().flat_map(command_limits).collect();
    if cmds.len() > 100 {
        out.push(format!("{} commands (limit 100)", cmds.len()));
    }
    let mut seen: Vec<(u64, &str)> = Vec::new();
    for c in cmds {
        let key = (
            c["type"].as_u64().unwrap_or(1),
            c["name"].as_str().unwrap_or(""),
        );
        if seen.contains(&key) {
            out.push(format!("command {:?} registered twice", key.1));
        }
        seen.push(key);
    }
    out
}
