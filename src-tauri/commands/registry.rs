//! What the one list of commands in `commands/mod.rs` becomes: `app_commands!` turns each
//! declaration `module::name(context, argument: Type, …) -> Result;` into
//! - a `#[tauri::command] async fn name(…) -> CmdResult<Result>` in `commands::handlers` that
//!   forwards to `module::name`: a declaration that does not match the function does not
//!   compile;
//! - its name in `COMMANDS` (the capability test; `build.rs` reads the same names from the
//!   source with `names.rs`, and a test checks that both agree);
//! - its entry in `handler()`, the app's invoke handler (`tauri::generate_handler!`);
//! - in tests, its `Signature`, from which `write_bindings` writes the typed caller in
//!   `ui/src/lib/bindings/commands.ts` and the TypeScript types it needs.

macro_rules! app_commands {
    ($( $module:ident :: $name:ident ( $($params:tt)* ) -> $result:ty ; )*) => {
        /// Every command, in declaration order (for the tests; build.rs reads the source).
        #[cfg(test)]
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// The Tauri commands: each forwards to its plain function (see `commands/mod.rs`).
        mod handlers {
            #[allow(unused_imports)]
            use super::*;

            $( app_commands!(@handler $module $name [$result] $($params)*); )*

            pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
                tauri::generate_handler![$($name),*]
            }

            #[cfg(test)]
            pub fn signatures(
                ts: &mut $crate::commands::registry::TsTypes,
            ) -> Vec<$crate::commands::registry::Signature> {
                vec![$( app_commands!(@signature ts $module $name [$result] $($params)*) ),*]
            }
        }

        pub use handlers::handler;
        #[cfg(test)]
        pub(crate) use handlers::signatures;
    };

    // The context a command's function takes before its arguments: the app's state, the
    // app's handle, or nothing.
    (@handler $module:ident $name:ident [$result:ty] state $(, $arg:ident : $ty:ty)*) => {
        #[tauri::command]
        async fn $name(
            state: tauri::State<'_, $crate::state::AppState>,
            $($arg: $ty),*
        ) -> $crate::state::CmdResult<$result> {
            $module::$name(&state, $($arg),*).await
        }
    };
    (@handler $module:ident $name:ident [$result:ty] app $(, $arg:ident : $ty:ty)*) => {
        #[tauri::command]
        async fn $name(app: tauri::AppHandle, $($arg: $ty),*) -> $crate::state::CmdResult<$result> {
            $module::$name(app, $($arg),*).await
        }
    };
    (@handler $module:ident $name:ident [$result:ty] $($arg:ident : $ty:ty),*) => {
        #[tauri::command]
        async fn $name($($arg: $ty),*) -> $crate::state::CmdResult<$result> {
            $module::$name($($arg),*).await
        }
    };

    (@signature $ts:ident $module:ident $name:ident [$result:ty] state $(, $arg:ident : $ty:ty)*) => {
        app_commands!(@signature $ts $module $name [$result] $($arg : $ty),*)
    };
    (@signature $ts:ident $module:ident $name:ident [$result:ty] app $(, $arg:ident : $ty:ty)*) => {
        app_commands!(@signature $ts $module $name [$result] $($arg : $ty),*)
    };
    (@signature $ts:ident $module:ident $name:ident [$result:ty] $($arg:ident : $ty:ty),*) => {
        $crate::commands::registry::Signature {
            module: stringify!($module),
            name: stringify!($name),
            args: vec![$( (stringify!($arg), $ts.name::<$ty>()) ),*],
            result: $ts.name::<$result>(),
        }
    };
}

/// A command as the UI sees it: its arguments' names (Rust's, snake_case) with their
/// TypeScript types, and its result's TypeScript type.
#[cfg(test)]
pub struct Signature {
    pub module: &'static str,
    pub name: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub result: String,
}

/// Names the TypeScript type of a command's argument or result, exports it (with every type it
/// reaches) into the bindings folder, and remembers what the callers' file must import.
#[cfg(test)]
pub struct TsTypes {
    /// The bindings' own settings (as the core's export, so both write identical files).
    export: ts_rs::Config,
    /// For the callers' signatures: 64-bit integers cross as JavaScript numbers (Unix seconds,
    /// counts), as every i64 field of the bindings does with `#[ts(type = "number")]`.
    names: ts_rs::Config,
    /// TypeScript name → file, relative to the bindings folder.
    imports: std::collections::BTreeMap<String, std::path::PathBuf>,
}

#[cfg(test)]
impl TsTypes {
    pub fn new(dir: &std::path::Path) -> TsTypes {
        TsTypes {
            export: ts_rs::Config::new().with_out_dir(dir),
            names: ts_rs::Config::new().with_large_int("number"),
            imports: Default::default(),
        }
    }

    pub fn name<T: ts_rs::TS + 'static + ?Sized>(&mut self) -> String {
        use ts_rs::TypeVisitor;
        self.visit::<T>();
        T::name(&self.names)
    }

    pub fn export<T: ts_rs::TS + 'static + ?Sized>(&mut self) {
        T::export_all(&self.export)
            .unwrap_or_else(|e| panic!("export {}: {e}", std::any::type_name::<T>()));
    }
}

/// Visits a type and its generic parameters (`Vec<NewCase>`: `NewCase`): each one that has a
/// file of its own is exported and imported.
#[cfg(test)]
impl ts_rs::TypeVisitor for TsTypes {
    fn visit<T: ts_rs::TS + 'static + ?Sized>(&mut self) {
        if let Some(path) = T::output_path() {
            self.export::<T>();
            self.imports.insert(T::ident(&self.export), path);
        }
        T::visit_generics(self);
    }
}

/// Tauri's name for an argument in the UI's JSON: camelCase (`include_reporter` →
/// `includeReporter`), as `#[tauri::command]` renames them by default.
#[cfg(test)]
fn camel_case(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A parameter name TypeScript accepts: JavaScript's reserved words get a `_` (`case_`).
#[cfg(test)]
fn ts_param(name: &str) -> String {
    const RESERVED: &[&str] = &[
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "implements",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
    ];
    let name = camel_case(name);
    if RESERVED.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// The text of `ui/src/lib/bindings/commands.ts`: one typed caller per command, given the
/// function that sends a command (`call` in `ui/src/lib/api.ts`).
#[cfg(test)]
pub fn callers_ts(
    signatures: &[Signature],
    imports: &std::collections::BTreeMap<String, std::path::PathBuf>,
) -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "// Generated from the command list in src-tauri/commands/mod.rs by \
         `cargo test -p tinbao-desktop`. Do not edit this file manually.\n",
    );
    for (name, path) in imports {
        let module = path.with_extension("");
        let module = module.to_string_lossy().replace('\\', "/");
        writeln!(out, "import type {{ {name} }} from \"./{module}\";").unwrap();
    }
    out.push_str(
        "\n/** Sends one command to the backend (`call` in ../api.ts: errors become ApiError). */\n\
         export type Invoke = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;\n\
         \n/** Every command of the app, in the order of src-tauri/commands/mod.rs. */\n\
         export const COMMAND_NAMES = [\n",
    );
    for s in signatures {
        writeln!(out, "  \"{}\",", s.name).unwrap();
    }
    out.push_str(
        "] as const;\n\n/** One typed caller per command, sending through `invoke`. */\n\
         export function commands(invoke: Invoke) {\n  return {\n",
    );
    for s in signatures {
        let params: Vec<String> = s
            .args
            .iter()
            .map(|(a, t)| format!("{}: {t}", ts_param(a)))
            .collect();
        let keys: Vec<String> = s
            .args
            .iter()
            .map(|(a, _)| {
                let (key, param) = (camel_case(a), ts_param(a));
                if key == param {
                    key
                } else {
                    format!("{key}: {param}")
                }
            })
            .collect();
        let result = if s.result == "null" {
            "void"
        } else {
            &s.result
        };
        let args = if keys.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", keys.join(", "))
        };
        writeln!(
            out,
            "    /** `{}::{}` in src-tauri/commands/{}.rs */\n    {}: ({}) => invoke<{result}>(\"{}\"{args}),",
            s.module,
            s.name,
            s.module,
            camel_case(s.name),
            params.join(", "),
            s.name,
        )
        .unwrap();
    }
    out.push_str("  };\n}\n");
    out
}

/// Writes the TypeScript the UI needs into `dir`: the type of every command's arguments and
/// result (with every type they reach), the types the UI uses without a command, and
/// `commands.ts`.
#[cfg(test)]
pub fn write_bindings(dir: &std::path::Path) -> String {
    let mut ts = TsTypes::new(dir);
    let signatures = super::signatures(&mut ts);
    // Not reached from a command's signature: the error every command may answer with.
    ts.export::<crate::state::CmdError>();
    let text = callers_ts(&signatures, &ts.imports);
    std::fs::write(dir.join("commands.ts"), &text).expect("write commands.ts");
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::COMMANDS;
    use std::path::Path;

    // The build script reads the command names with the same function (`include!` there).
    include!("names.rs");

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    /// Writes ui/src/lib/bindings/ (the types and the callers); `scripts/test` fails when the
    /// committed files differ from what this writes.
    #[test]
    fn export_typescript_bindings() {
        let text = write_bindings(&root().join("ui/src/lib/bindings"));
        for name in COMMANDS {
            assert!(
                text.contains(&format!("(\"{name}\"")),
                "no caller for {name}"
            );
        }
    }

    /// The main window's capability grants exactly the app's commands: nothing of Tauri's
    /// core plugins, no command forgotten.
    #[test]
    fn capability_grants_exactly_the_app_commands() {
        let text = std::fs::read_to_string(root().join("src-tauri/capabilities/main.json"))
            .expect("capability file");
        let v: serde_json::Value = serde_json::from_str(&text).expect("capability JSON");
        let granted: std::collections::BTreeSet<String> = v["permissions"]
            .as_array()
            .expect("permissions list")
            .iter()
            .map(|p| p.as_str().expect("plain permission id").to_owned())
            .collect();
        let expected: std::collections::BTreeSet<String> = COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        let missing: Vec<_> = expected.difference(&granted).collect();
        let extra: Vec<_> = granted.difference(&expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "src-tauri/capabilities/main.json: add {missing:?}, remove {extra:?}"
        );
    }

    /// build.rs makes the permissions from the names it reads in commands/mod.rs: the same
    /// list as the macro's.
    #[test]
    fn the_build_script_reads_the_declared_commands() {
        let source = include_str!("mod.rs");
        assert_eq!(declared_commands(source), COMMANDS);
    }

    /// A command is declared in commands/mod.rs only: no `#[tauri::command]` or
    /// `generate_handler!` of its own elsewhere in the app.
    #[test]
    fn no_command_is_registered_outside_the_list() {
        fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(&root().join("src-tauri"), &mut files);
        let this = root().join("src-tauri/commands/registry.rs");
        for f in files.iter().filter(|f| **f != this) {
            let text = std::fs::read_to_string(f).unwrap();
            let code = text.lines().filter(|l| !l.trim_start().starts_with("//"));
            let code: String = code.collect::<Vec<_>>().join("\n");
            for needle in ["#[tauri::command", "generate_handler!"] {
                assert!(
                    !code.contains(needle),
                    "{} has {needle}: declare the command in src-tauri/commands/mod.rs \
                     instead (CONTRIBUTING.md, \"Adding a command\")",
                    f.display()
                );
            }
        }
    }

    #[test]
    fn arguments_are_named_as_tauri_expects() {
        assert_eq!(camel_case("include_reporter"), "includeReporter");
        assert_eq!(camel_case("device_name"), "deviceName");
        assert_eq!(camel_case("sha256"), "sha256");
        assert_eq!(ts_param("case"), "case_");
        assert_eq!(ts_param("new"), "new_");
        assert_eq!(ts_param("device_name"), "deviceName");
    }
}
