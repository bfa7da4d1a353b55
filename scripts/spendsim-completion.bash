# bash completion for spendsim (installed as share/bash-completion/completions/spendsim)
_spendsim() {
    local cur prev
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "run check --version --help" -- "$cur"))
        return
    fi
    case "$prev" in
        --out) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --threads|--seed|--set) return ;;
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "--out --threads --seed --set --unsafe --help" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -X '!*.lua' -- "$cur") $(compgen -d -- "$cur"))
    fi
}
complete -o filenames -F _spendsim spendsim
