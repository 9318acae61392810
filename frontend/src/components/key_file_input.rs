//! Choosing the saved key file: a file picker and a drop zone around it. The file is read
//! as text in the browser and never sent anywhere.

use wasm_bindgen_futures::JsFuture;
use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use crate::i18n::use_lang;

/// A key file is a few kilobytes; anything much larger is not one.
pub const MAX_KEY_FILE_BYTES: f64 = 64.0 * 1024.0;

/// A file the user chose, read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenFile {
    pub name: String,
    pub text: String,
}

/// Why a chosen file could not be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChooseError {
    TooLarge,
    Unreadable,
}

#[derive(Properties, PartialEq)]
pub struct KeyFileInputProps {
    /// The file input's id (its `<label for>` too).
    pub id: AttrValue,
    pub onchoose: Callback<Result<ChosenFile, ChooseError>>,
    /// The name of the file chosen so far, shown in the zone.
    #[prop_or_default]
    pub chosen: Option<String>,
    #[prop_or_default]
    pub disabled: bool,
}

async fn read(file: File) -> Result<ChosenFile, ChooseError> {
    if file.size() > MAX_KEY_FILE_BYTES {
        return Err(ChooseError::TooLarge);
    }
    let text = JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or(ChooseError::Unreadable)?;
    Ok(ChosenFile {
        name: file.name(),
        text,
    })
}

fn take(file: Option<File>, onchoose: &Callback<Result<ChosenFile, ChooseError>>) {
    if let Some(file) = file {
        let onchoose = onchoose.clone();
        wasm_bindgen_futures::spawn_local(async move { onchoose.emit(read(file).await) });
    }
}

/// File picker inside a drop zone; the picker alone works with the keyboard.
#[function_component(KeyFileInput)]
pub fn key_file_input(props: &KeyFileInputProps) -> Html {
    let lang = use_lang();
    let over = use_state(|| false);
    let onchange = {
        let onchoose = props.onchoose.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            take(input.files().and_then(|f| f.get(0)), &onchoose);
        })
    };
    let ondragover = {
        let over = over.clone();
        Callback::from(move |e: DragEvent| {
            // Without this the browser opens the dropped file instead.
            e.prevent_default();
            over.set(true);
        })
    };
    let ondragleave = {
        let over = over.clone();
        Callback::from(move |_: DragEvent| over.set(false))
    };
    let ondrop = {
        let over = over.clone();
        let onchoose = props.onchoose.clone();
        let disabled = props.disabled;
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            over.set(false);
            if disabled {
                return;
            }
            take(
                e.data_transfer()
                    .and_then(|d| d.files())
                    .and_then(|f| f.get(0)),
                &onchoose,
            );
        })
    };
    let id = props.id.clone();
    html! {
        <div id={format!("{id}-zone")} class={classes!("drop-zone", (*over).then_some("drop-over"))}
            {ondragover} {ondragleave} {ondrop}>
            <label for={id.clone()}>
                { lang.t("Key file", "Schlüsseldatei") }
                <span class="hint">
                    { lang.t("Choose the file you saved when you made the request, or drop it here.",
                        "Wählen Sie die Datei, die Sie beim Antrag gespeichert haben, oder ziehen Sie sie hierher.") }
                </span>
            </label>
            <input type="file" id={id.clone()}
                disabled={props.disabled} {onchange} />
            if let Some(name) = &props.chosen {
                <p class="drop-chosen" id={format!("{id}-name")}>
                    { lang.t("Chosen: ", "Gewählt: ") }<strong>{ name.clone() }</strong>
                </p>
            }
        </div>
    }
}
