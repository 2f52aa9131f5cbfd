# Build the Windows app and installer: dist\get3w-desktop\ and dist\Get3W-Desktop-<v>-setup.exe
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
# Needs Python 3.11+ with the project installed (pip install -c requirements\constraints.txt -e ".[build]")
# and Inno Setup 6 (choco install innosetup), whose ISCC.exe is looked up on PATH and in Program Files.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$python = if ($env:PYTHON) { $env:PYTHON } elseif (Test-Path ".venv\Scripts\python.exe") { ".venv\Scripts\python.exe" } else { "python" }
$version = & $python -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])"

& $python -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build\pyinstaller packaging\get3w-desktop.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

# The GUI executable has no console; piping its output makes PowerShell wait and show it.
$env:QT_QPA_PLATFORM = $null
& "dist\get3w-desktop\get3w-desktop.exe" --self-test | Out-Host
if ($LASTEXITCODE -ne 0) { throw "self-test failed" }
& "dist\get3w-desktop\get3w.exe" --version
if ($LASTEXITCODE -ne 0) { throw "get3w --version failed" }

$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" "/DSourceDir=$((Resolve-Path dist\get3w-desktop).Path)" "/O$((Resolve-Path dist).Path)" packaging\windows\get3w-desktop.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Get-ChildItem dist\*.exe | Format-Table Name, Length
