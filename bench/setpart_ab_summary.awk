# Summary of bench/setpart_ab.sh output: mean gap and CPU per class, off/on.
# Columns of solver_solomon: inst routes dist bks_routes bks gap% wall cpu iters.
{
    m = $1; inst = toupper($2); cls = inst
    if (inst ~ /_/) { split(inst, a, "_"); cls = a[1] } else { sub(/[0-9][0-9]$/, "", cls) }
    g[m, cls] += $7; c[m, cls] += $9; n[m, cls]++; G[m] += $7; C[m] += $9; N[m]++
    if (!(cls in seen)) { seen[cls] = 1; order[++nc] = cls }
}
END {
    printf "%-6s %3s %10s %10s %9s %9s\n", "class", "n", "gap off", "gap on", "cpu off", "cpu on"
    for (k = 1; k <= nc; k++) {
        x = order[k]
        printf "%-6s %3d %9.2f%% %9.2f%% %9.2f %9.2f\n", x, n["off", x], g["off", x] / n["off", x], \
            g["on", x] / n["on", x], c["off", x] / n["off", x], c["on", x] / n["on", x]
    }
    printf "%-6s %3d %9.2f%% %9.2f%% %9.2f %9.2f\n", "all", N["off"], G["off"] / N["off"], \
        G["on"] / N["on"], C["off"] / N["off"], C["on"] / N["on"]
}
