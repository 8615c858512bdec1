/** The application menu: standard roles only; no item loads remote content. */
import { Menu, app, dialog, type MenuItemConstructorOptions } from 'electron';

/** Builds and installs the menu. */
export function installMenu(): void {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        {
          label: 'About Helmlink',
          click: () => {
            void dialog.showMessageBox({
              type: 'info',
              title: 'Helmlink',
              message: `Helmlink console ${app.getVersion()}`,
              detail: 'Signed stream control for remotely piloted vessels.',
            });
          },
        },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
