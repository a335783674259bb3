//! The modules of one compilation and their module-level names.
//!
//! Module 0 is the user's file; the others are the embedded stdlib modules it reaches (through
//! `use` or a full `std::...` path), each parsed and added to the [`SourceMap`] once. Every
//! module maps names to its own functions, to imported functions and to imported modules.
//! Local values (declarations, `let`s, parameters) are not here: they belong to the walkers.

use std::collections::HashMap;

use zkm_diagnostics::{SourceMap, Span};
use zkm_syntax::ast;

use super::builtins::Builtin;
use super::errors;
use super::report::Reporter;

/// Index of a module in [`World::mods`]; the user's file is [`USER`].
pub(crate) type ModId = usize;

/// Index of a function in [`World::fns`].
pub(crate) type FnId = usize;

/// The user's file.
pub(crate) const USER: ModId = 0;

/// A parsed stdlib module, owned until analysis ends.
#[derive(Debug)]
pub(crate) struct LoadedStd {
    /// Module path after `std`, e.g. `["nn"]`.
    path: Vec<String>,
    /// Its syntax tree.
    ast: ast::Module,
}

/// A function and the module it is defined in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FnInfo<'a> {
    /// The declaration.
    pub decl: &'a ast::FnDecl,
    /// Its module.
    pub module: ModId,
}

/// What a module-level name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ModItem {
    /// A function (defined here or imported).
    Fn(FnId),
    /// A module imported with `use std::nn;`.
    Module(ModId),
}

/// One module's names.
#[derive(Debug, Default)]
pub(crate) struct ModInfo {
    /// `std::nn` for stdlib modules, empty for the user's file.
    pub path: String,
    /// Module-level names with the span that defined them.
    names: HashMap<String, (ModItem, Span)>,
    /// The module's own functions by name (what other modules can reach).
    own: HashMap<String, FnId>,
}

/// A resolved callee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Callee {
    /// A user or stdlib function.
    Fn(FnId),
    /// A builtin operation.
    Builtin(Builtin),
}

/// Why a path names no function.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PathError {
    /// A single name that is not defined at module level.
    Unknown,
    /// The path names a module, not a function.
    IsModule(String),
    /// The first segment of `a::b` is not an imported module.
    UnknownModule(ast::Ident),
    /// `std::x::...` where `std::x` does not exist.
    NoStdModule(ast::Ident, Vec<String>),
    /// `m::f` where module `m` has no function `f`.
    NoItem {
        module: String,
        item: ast::Ident,
        candidates: Vec<String>,
    },
}

/// All modules and functions of one compilation.
#[derive(Debug, Default)]
pub(crate) struct World<'a> {
    /// Modules; index [`USER`] is the user's file.
    pub mods: Vec<ModInfo>,
    /// Every function of every module.
    pub fns: Vec<FnInfo<'a>>,
    /// Stdlib modules by path (`"nn"`), to their index.
    std_index: HashMap<String, ModId>,
    /// Syntax trees, parallel to `mods`.
    asts: Vec<&'a ast::Module>,
}

/// Parses every stdlib module the user's file reaches (transitively), adding each to `sources`
/// once. Parse diagnostics are forwarded.
pub(crate) fn load_std(
    sources: &mut SourceMap,
    user: &ast::Module,
    rep: &mut Reporter,
) -> Vec<LoadedStd> {
    let mut loaded: Vec<LoadedStd> = Vec::new();
    let mut queue = referenced_std(user);
    while let Some(path) = queue.pop() {
        if loaded.iter().any(|l| l.path == path) {
            continue;
        }
        let segs: Vec<&str> = path.iter().map(String::as_str).collect();
        let Some(m) = zkm_stdlib::module(&segs) else {
            continue;
        };
        let file = sources.add(m.file_name, m.source);
        let (ast, diags) = zkm_syntax::parse(file, m.source);
        rep.extend(diags);
        queue.extend(referenced_std(&ast));
        loaded.push(LoadedStd { path, ast });
    }
    loaded
}

/// The stdlib module paths a module mentions in `use` items and `std::...` call paths.
fn referenced_std(module: &ast::Module) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for item in &module.items {
        if let ast::Item::Use(u) = item {
            paths.extend(std_module_of(&u.path, true));
        }
    }
    let mut callees = Vec::new();
    super::walk::callee_paths(module, &mut callees);
    paths.extend(callees.into_iter().filter_map(|p| std_module_of(p, false)));
    paths
}

/// The stdlib module a path refers to: for a `use`, the whole path if it is a module and
/// otherwise all but the last segment; for a call, all but the last segment.
fn std_module_of(path: &ast::Path, is_use: bool) -> Option<Vec<String>> {
    let segs: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
    if segs.first() != Some(&"std") || segs.len() < 2 {
        return None;
    }
    let whole: Vec<String> = segs[1..].iter().map(|s| s.to_string()).collect();
    if is_use && zkm_stdlib::module(&segs[1..]).is_some() {
        return Some(whole);
    }
    (whole.len() >= 2).then(|| whole[..whole.len() - 1].to_vec())
}

impl<'a> World<'a> {
    /// Registers the functions and resolves the imports of the user's file and of every loaded
    /// stdlib module, reporting duplicate names (E0302) and unknown imports (E0303).
    pub(crate) fn build(user: &'a ast::Module, std: &'a [LoadedStd], rep: &mut Reporter) -> Self {
        let mut world = World::default();
        world.add_module(user, String::new());
        for l in std {
            let id = world.add_module(&l.ast, format!("std::{}", l.path.join("::")));
            world.std_index.insert(l.path.join("::"), id);
        }
        for m in 0..world.mods.len() {
            world.add_fns(m);
        }
        for m in 0..world.mods.len() {
            world.add_names(m, rep);
        }
        world
    }

    fn add_module(&mut self, ast: &'a ast::Module, path: String) -> ModId {
        self.mods.push(ModInfo {
            path,
            ..ModInfo::default()
        });
        self.asts.push(ast);
        self.mods.len() - 1
    }

    /// Registers the functions of module `m` (contiguous ids, in source order).
    fn add_fns(&mut self, m: ModId) {
        let Some(ast) = self.asts.get(m).copied() else {
            return;
        };
        for item in &ast.items {
            let ast::Item::Fn(f) = item else { continue };
            let id = self.fns.len();
            self.fns.push(FnInfo { decl: f, module: m });
            if let Some(info) = self.mods.get_mut(m) {
                info.own.entry(f.name.name.clone()).or_insert(id);
            }
        }
    }

    /// Defines the module-level names of module `m` (functions and imports) in source order.
    fn add_names(&mut self, m: ModId, rep: &mut Reporter) {
        let Some(ast) = self.asts.get(m).copied() else {
            return;
        };
        let mut next_fn = self.fns.iter().position(|f| f.module == m).unwrap_or(0);
        for item in &ast.items {
            match item {
                ast::Item::Fn(f) => {
                    self.define(m, &f.name, ModItem::Fn(next_fn), rep);
                    next_fn += 1;
                }
                ast::Item::Use(u) => self.import(m, u, rep),
                ast::Item::Model(_) => {}
            }
        }
    }

    /// Resolves a `use` item and defines its last segment in module `m`.
    fn import(&mut self, m: ModId, u: &ast::UseDecl, rep: &mut Reporter) {
        match self.resolve_use(&u.path) {
            Ok(target) => {
                if let Some(last) = u.path.segments.last() {
                    self.define(m, last, target, rep);
                }
            }
            Err(e) => rep.push(errors::unknown_import(&u.path, e)),
        }
    }

    /// Adds a module-level name, reporting a duplicate.
    fn define(&mut self, m: ModId, name: &ast::Ident, item: ModItem, rep: &mut Reporter) {
        let Some(info) = self.mods.get_mut(m) else {
            return;
        };
        if let Some((_, first)) = info.names.get(&name.name) {
            rep.push(errors::duplicate_name(&name.name, name.span, *first));
            return;
        }
        info.names.insert(name.name.clone(), (item, name.span));
    }

    /// Resolves the path of a `use` item to a module or a function.
    fn resolve_use(&self, path: &ast::Path) -> Result<ModItem, PathError> {
        let segs = &path.segments;
        let Some(first) = segs.first() else {
            return Err(PathError::Unknown);
        };
        if first.name != "std" {
            return Err(PathError::UnknownModule(first.clone()));
        }
        if segs.len() < 2 {
            return Err(PathError::IsModule("std".into()));
        }
        let names: Vec<&str> = segs[1..].iter().map(|s| s.name.as_str()).collect();
        if let Some(&id) = self.std_index.get(&names.join("::")) {
            return Ok(ModItem::Module(id));
        }
        self.std_item(&segs[1..]).map(ModItem::Fn)
    }

    /// Resolves `[module..., item]` inside `std` to a function.
    fn std_item(&self, segs: &[ast::Ident]) -> Result<FnId, PathError> {
        let Some((item, module)) = segs.split_last() else {
            return Err(PathError::Unknown);
        };
        if module.is_empty() {
            return match is_std_module(&item.name) {
                true => Err(PathError::IsModule(format!("std::{}", item.name))),
                false => Err(PathError::NoStdModule(item.clone(), std_module_names())),
            };
        }
        let names: Vec<&str> = module.iter().map(|s| s.name.as_str()).collect();
        match self.std_index.get(&names.join("::")) {
            Some(&id) => self.item_of(id, item),
            None => {
                let bad = module.first().unwrap_or(item).clone();
                Err(PathError::NoStdModule(bad, std_module_names()))
            }
        }
    }

    /// The function `item` of module `m`.
    fn item_of(&self, m: ModId, item: &ast::Ident) -> Result<FnId, PathError> {
        let info = self.mods.get(m).ok_or(PathError::Unknown)?;
        info.own
            .get(&item.name)
            .copied()
            .ok_or_else(|| PathError::NoItem {
                module: info.path.clone(),
                item: item.clone(),
                candidates: info.own.keys().cloned().collect(),
            })
    }

    /// Resolves a callee path seen from module `m` (local values must be checked first).
    pub(crate) fn callee(&self, m: ModId, path: &ast::Path) -> Result<Callee, PathError> {
        match path.segments.as_slice() {
            [] => Err(PathError::Unknown),
            [name] => self.single(m, &name.name),
            [first, rest @ ..] if first.name == "std" => self.std_item(rest).map(Callee::Fn),
            [first, item] => match self.name(m, &first.name) {
                Some(ModItem::Module(id)) => self.item_of(id, item).map(Callee::Fn),
                _ => Err(PathError::UnknownModule(first.clone())),
            },
            [first, ..] => Err(PathError::UnknownModule(first.clone())),
        }
    }

    fn single(&self, m: ModId, name: &str) -> Result<Callee, PathError> {
        match self.name(m, name) {
            Some(ModItem::Fn(id)) => Ok(Callee::Fn(id)),
            Some(ModItem::Module(_)) => Err(PathError::IsModule(name.to_string())),
            None => Builtin::from_name(name)
                .map(Callee::Builtin)
                .ok_or(PathError::Unknown),
        }
    }

    /// A module-level name of module `m`.
    pub(crate) fn name(&self, m: ModId, name: &str) -> Option<ModItem> {
        self.mods.get(m)?.names.get(name).map(|(item, _)| *item)
    }

    /// Every function name callable without a path from module `m`, builtins included.
    pub(crate) fn callable_names(&self, m: ModId) -> Vec<String> {
        let mut names: Vec<String> = Builtin::all().map(|b| b.name().to_string()).collect();
        if let Some(info) = self.mods.get(m) {
            let fns = info
                .names
                .iter()
                .filter(|(_, (i, _))| matches!(i, ModItem::Fn(_)));
            names.extend(fns.map(|(n, _)| n.clone()));
        }
        names
    }

    /// Names of the modules imported into `m`.
    pub(crate) fn module_names(&self, m: ModId) -> Vec<String> {
        let Some(info) = self.mods.get(m) else {
            return Vec::new();
        };
        let mods = info
            .names
            .iter()
            .filter(|(_, (i, _))| matches!(i, ModItem::Module(_)));
        mods.map(|(n, _)| n.clone()).collect()
    }

    /// The function with this id.
    pub(crate) fn func(&self, id: FnId) -> Option<FnInfo<'a>> {
        self.fns.get(id).copied()
    }
}

/// The names of all stdlib modules, for suggestions.
pub(crate) fn std_module_names() -> Vec<String> {
    zkm_stdlib::MODULES
        .iter()
        .map(|m| m.path.join("::"))
        .collect()
}

/// Whether `name` is a stdlib module that could be imported with `use std::name;`.
pub(crate) fn is_std_module(name: &str) -> bool {
    zkm_stdlib::module(&[name]).is_some()
}
