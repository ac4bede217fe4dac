import ArgumentParser

/// `triage --generate-completion-script bash|zsh|fish`: argument-parser's scripts for `Triage`,
/// with one thing it cannot express mended: a command that takes paths and also has
/// subcommands. Its scripts read every word after `triage` as a path, so `triage rules <TAB>`
/// offered files (bash, fish) or the two definitions clashed (zsh). Here the first word may name a
/// subcommand, and any other word is a path. The options' values and file completion come from
/// the argument definitions unchanged.
enum ShellCompletion {
    static func script(for shell: CompletionShell) -> String {
        let script = Triage.completionScript(for: shell)
        let names = Triage.configuration.subcommands.map { $0._commandName }
        switch shell {
        case .bash: return bash(script, subcommands: names)
        case .zsh: return zsh(script)
        case .fish: return fish(script, subcommands: names)
        default: return script
        }
    }

    /// fish's script parses every word after `triage` as a path (so a subcommand's own words
    /// were never reached) and offers the subcommands after the first word instead of as it.
    /// Here the words up to the first positional are parsed first; when that positional names
    /// a subcommand the rest is that subcommand's, otherwise every word is parsed as a path.
    static func fish(_ script: String, subcommands: [String]) -> String {
        let rootCase = "    case 'triage'\n        __triage_parse_subcommand -r 1 "
        guard let start = script.range(of: rootCase), let end = script[start.upperBound...].firstIndex(of: "\n") else { return script }
        let specs = script[start.upperBound..<end]
        let names = (subcommands + ["help"]).map { "'\($0)'" }.joined(separator: " ")
        let dispatch = """
                case 'triage'
                    __triage_parse_subcommand 0 \(specs)
                    if not contains -- "$unparsed_tokens[1]" \(names)
                        # Not a subcommand: every word is a path.
                        set commands
                        set unparsed_tokens (__triage_tokens -pc)
                        __triage_parse_subcommand -r 1 \(specs)
                    end
            """
        return script.replacingCharacters(in: start.lowerBound...end, with: dispatch + "\n")
            .replacingOccurrences(of: "__triage_should_offer_completions_for_positional \"triage\" -eq 2", with: "__triage_should_offer_completions_for_positional \"triage\" -eq 1")
    }

    static func bash(_ script: String, subcommands: [String]) -> String {
        let alternatives = (subcommands + ["help"]).joined(separator: "|")
        let dispatch = """
                # The first word may name a subcommand; then the rest is that subcommand's.
                if [[ "${COMP_CWORD}" -gt 1 ]]; then
                    case "${COMP_WORDS[1]}" in
                    \(alternatives))
                        unparsed_words=("${COMP_WORDS[@]:2:$((COMP_CWORD - 1))}")
                        "_triage_${COMP_WORDS[1]}"
                        return
                        ;;
                    esac
                fi
                __triage_offer_flags_options -1

            """
        let paths = """
                case "${positional_number}" in
                *)
                    __triage_add_completions -f
                    [[ "${COMP_CWORD}" -eq 1 ]] && COMPREPLY+=($(compgen -W '\(subcommands.joined(separator: " "))' -- "${cur}"))
                    return

            """
        return script
            .replacingFirst("    __triage_offer_flags_options -1\n", with: dispatch)
            .replacingFirst("    case \"${positional_number}\" in\n    *)\n        __triage_add_completions -f\n        return\n", with: paths)
    }

    /// zsh's `_arguments` refuses a rest-of-line path spec beside the subcommand specs, so the
    /// paths are offered in the subcommand states instead.
    static func zsh(_ script: String) -> String {
        script
            .replacingFirst("        '*:path:_files'\n", with: "")
            .replacingFirst(
                "        _describe -V subcommand subcommands && ret=0\n",
                with: "        _describe -V subcommand subcommands && ret=0\n        _files && ret=0\n")
            .replacingFirst(
                "            \"_triage_${words[1]}\" && ret=0\n            ;;\n        esac\n",
                with: "            \"_triage_${words[1]}\" && ret=0\n            ;;\n        *)\n            _files && ret=0\n            ;;\n        esac\n")
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
