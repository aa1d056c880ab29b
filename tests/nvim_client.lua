-- Drives flask-token-lint's language server from Neovim's built-in LSP client (headless), started
-- by the README's init.lua snippet (loaded with -u). Arguments (global `FTL`): file, out. Opens the
-- file, waits for the diagnostics, writes them, asks for the fixAll code action, applies its edit
-- and writes the buffer's text. Neovim 0.7 (Debian's) has start_client/buf_attach_client.
local args = FTL
local out = {}

vim.cmd("edit " .. vim.fn.fnameescape(args.file))
local buf = vim.api.nvim_get_current_buf()
out.waited = vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
out.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  table.insert(out.diagnostics, { line = d.lnum, col = d.col, code = code, source = d.source })
end

local client = vim.lsp.get_active_clients()[1]
out.client = client and client.name or vim.NIL
local last = vim.api.nvim_buf_line_count(buf)
local params = {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = { start = { line = 0, character = 0 }, ["end"] = { line = last, character = 0 } },
  context = { diagnostics = {}, only = { "source.fixAll.flask-token-lint" } },
}
out.actions = {}
local response = client and client.request_sync("textDocument/codeAction", params, 30000, buf)
if response and response.result then
  for _, action in ipairs(response.result) do
    table.insert(out.actions, action.title)
    if action.kind == "source.fixAll.flask-token-lint" and action.edit then
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or "utf-16")
    end
  end
end
out.text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n") .. "\n"

local handle = io.open(args.out, "w")
handle:write(vim.fn.json_encode(out))
handle:close()
if client then
  client.stop()
  vim.wait(5000, function() return client.is_stopped() end, 50)
end
vim.cmd("qall!")
