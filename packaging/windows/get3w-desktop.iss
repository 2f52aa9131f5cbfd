; Inno Setup 6 script: a per-user or all-users installer for the PyInstaller onedir bundle.
; packaging\windows\build.ps1 passes /DAppVersion=<pyproject version> and /DSourceDir=dist\get3w-desktop.
; Signing: set SignTool in the Inno Setup IDE or pass /S"signtool=signtool sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /a $f"
; and uncomment SignTool below, so both the installer and the uninstaller are signed.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\get3w-desktop"
#endif
#define AppName "Get3W Desktop"
#define AppExe "get3w-desktop.exe"

[Setup]
; A fixed AppId keeps upgrades and the uninstaller tied to one product: never change it.
AppId={{6F1D2C3B-8E4A-4B57-9C1E-3A7D5F2B9E41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Get3W Desktop contributors
AppPublisherURL=https://get3w.com
AppSupportURL=https://get3w.com
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} installer
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Installs for the current user without admin rights unless the person chooses all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
OutputBaseFilename=Get3W-Desktop-{#AppVersion}-setup
SetupIconFile=..\icons\get3w-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
; SignTool=signtool

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Generate images and videos with Get3W"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the installer put there. Settings, history, outputs and the key in Windows
; Credential Manager belong to the person and stay.
Type: filesandordirs; Name: "{app}\_internal"
